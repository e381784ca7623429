package billing

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// A Reader streams the records of one billing file. Next returns each row
// as a Record; a bad row is a *RowError and reading goes on after it.
type Reader struct {
	format Format
	next   func() (line int, fields []string, err error)
	m      mapper
	closer func() error
}

// row sources report a row they cannot split (a stray quote) this way.
type sourceError struct {
	line int
	msg  string
}

func (e *sourceError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

var (
	gzipMagic    = []byte{0x1f, 0x8b}
	parquetMagic = []byte("PAR1")
	utf8BOM      = []byte{0xef, 0xbb, 0xbf}
)

// NewReader opens a billing file: gzip is recognised by its magic bytes,
// Parquet by its own, newline-delimited JSON (the GCP export) by a leading
// '{', anything else is CSV. format is "" to detect it from the header, or
// one of FormatNames. A Parquet file needs random access: an *os.File is
// read in place, another reader is first read into memory.
func NewReader(r io.Reader, format string) (*Reader, error) {
	var forced Format
	if format != "" {
		f, err := formatByName(format)
		if err != nil {
			return nil, err
		}
		forced = f
	}
	br := bufio.NewReaderSize(r, 1<<20)
	var closer func() error
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		closer = zr.Close
		br = bufio.NewReaderSize(zr, 1<<20)
	} else if head, _ := br.Peek(4); bytes.Equal(head, parquetMagic) {
		return newParquetReader(r, br, forced)
	}
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(3)
	}
	var (
		h    *header
		next func() (int, []string, error)
		err  error
	)
	if firstByte(br) == '{' {
		h, next = newJSONLines(br)
	} else {
		h, next, err = newCSVSource(br)
		if err != nil {
			return nil, err
		}
	}
	rd, err := newReader(h, next, forced)
	if err != nil {
		return nil, err
	}
	rd.closer = closer
	return rd, nil
}

func newReader(h *header, next func() (int, []string, error), forced Format) (*Reader, error) {
	f := forced
	if f == nil {
		var err error
		if f, err = detectFormat(h); err != nil {
			return nil, err
		}
	}
	m, err := f.Mapper(h)
	if err != nil {
		return nil, err
	}
	return &Reader{format: f, next: next, m: m}, nil
}

// firstByte is the first byte after blank space, or 0.
func firstByte(br *bufio.Reader) byte {
	for n := 1; n <= 4096; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			return 0
		}
		c := b[n-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
		if err != nil {
			return 0
		}
	}
	return 0
}

// Format is the name of the file's format.
func (r *Reader) Format() string { return r.format.Name() }

// Close releases the decompressor, if any; it does not close the input.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer()
	}
	return nil
}

// Next returns the next record; io.EOF at the end; a *RowError for a row
// that could not be read (call Next again for the following rows); any
// other error ends the file.
func (r *Reader) Next() (Record, error) {
	line, fields, err := r.next()
	if err != nil {
		var se *sourceError
		if errors.As(err, &se) {
			return Record{}, &RowError{Line: se.line, Message: se.msg}
		}
		return Record{}, err
	}
	rec := Record{Line: line}
	if fe := r.m.mapRow(fields, &rec); fe != nil {
		return Record{}, &RowError{Line: line, Column: fe.column, Message: fe.message}
	}
	if rec.ChargeCategory != CategoryUsage {
		// Purchases, taxes, credits and adjustments belong to the
		// account, not to the cluster whose tags they may carry.
		rec.Cluster, rec.clusterSanitized = "", false
	}
	return rec, nil
}

// newCSVSource reads the header row of a CSV file.
func newCSVSource(br *bufio.Reader) (*header, func() (int, []string, error), error) {
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	names, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("empty billing file: no header row")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header row: %w", err)
	}
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = strings.TrimSpace(strings.TrimPrefix(n, "\ufeff"))
	}
	want := len(cols)
	next := func() (int, []string, error) {
		fields, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, nil, &sourceError{line: pe.StartLine, msg: pe.Err.Error()}
			}
			return 0, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(fields) != want && !(len(fields) < want && allBlank(fields)) {
			return 0, nil, &sourceError{line: line, msg: fmt.Sprintf("row has %d fields, the header has %d", len(fields), want)}
		}
		return line, fields, nil
	}
	return newHeader(cols), skipBlank(next), nil
}

// skipBlank passes over rows with no content (a trailing empty line).
func skipBlank(next func() (int, []string, error)) func() (int, []string, error) {
	return func() (int, []string, error) {
		for {
			line, f, err := next()
			if err != nil || !allBlank(f) {
				return line, f, err
			}
		}
	}
}

func allBlank(f []string) bool {
	for _, s := range f {
		if s != "" {
			return false
		}
	}
	return true
}

// fileSize reports the size of r when it is a regular file.
func fileSize(r io.Reader) (io.ReaderAt, int64, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return nil, 0, false
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, 0, false
	}
	if _, err := f.Seek(0, io.SeekCurrent); err != nil {
		return nil, 0, false
	}
	return f, st.Size(), true
}
