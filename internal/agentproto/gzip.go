package agentproto

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxDecodedBytes bounds a body after decompression, so a small gzip bomb
// cannot make the control plane allocate gigabytes.
const MaxDecodedBytes = 64 << 20

// Encode marshals v as JSON and gzips it.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads a body that is gzipped when gzipped is true (the request's
// Content-Encoding), decompressing at most MaxDecodedBytes, into v.
func Decode(r io.Reader, gzipped bool, v any) error {
	if gzipped {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("body is not gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxDecodedBytes+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(data) > MaxDecodedBytes {
		return fmt.Errorf("body is over %d bytes once decompressed", MaxDecodedBytes)
	}
	if err := json.Unmarshal(data, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("body is not valid JSON at byte %d: %w", se.Offset, err)
		}
		return fmt.Errorf("body: %w", err)
	}
	return nil
}
