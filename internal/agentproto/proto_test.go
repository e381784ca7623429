package agentproto

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func TestChecksumIgnoresOrder(t *testing.T) {
	a := []Meta{{"u1", "1"}, {"u2", "5"}}
	b := []Meta{{"u2", "5"}, {"u1", "1"}}
	if Checksum(a) != Checksum(b) {
		t.Fatal("order changes the checksum")
	}
	if Checksum(a) == Checksum([]Meta{{"u1", "1"}, {"u2", "6"}}) {
		t.Fatal("a new resourceVersion keeps the checksum")
	}
}

func TestDecodeRefusesBombsAndNamesErrors(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"version":1,"session":"`))
	zw.Write(bytes.Repeat([]byte("a"), MaxDecodedBytes))
	zw.Write([]byte(`"}`))
	zw.Close()
	var hb Heartbeat
	if err := Decode(&buf, true, &hb); err == nil || !strings.Contains(err.Error(), "decompressed") {
		t.Fatalf("gzip bomb: %v", err)
	}
	if err := Decode(strings.NewReader(`{"version":`), false, &hb); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Fatalf("truncated JSON: %v", err)
	}
	if err := Decode(strings.NewReader(`{}`), true, &hb); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Fatalf("plain body said to be gzip: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	ok, _ := Encode(DeltaBatch{Version: 1, Session: "s", Deltas: []Delta{{Seq: 1, Op: OpUpsert, Object: Object{Kind: "Pod", Name: "a", Body: []byte(`{}`)}}}})
	f.Add(ok, true)
	f.Add([]byte(`{"version":1,"deltas":[{"seq":1,"op":"delete","object":{"kind":"Pod","name":"a"}}]}`), false)
	f.Add([]byte(`{"version":1,"deltas":[{"object":{"body":{]}}]}`), false)
	f.Add([]byte{0x1f, 0x8b, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, gz bool) {
		var b DeltaBatch
		if err := Decode(bytes.NewReader(data), gz, &b); err != nil {
			return
		}
		for _, d := range b.Deltas {
			_ = d.Object.Validate()
			_ = d.Object.Key().String()
		}
	})
}
