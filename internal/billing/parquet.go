package billing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// newParquetReader reads a Parquet file (FOCUS exports from AWS Data
// Exports and Azure are Parquet), row group by row group. Top-level
// columns are read as their text; a Tags map (key/value leaves) becomes a
// JSON object; other nested columns are ignored.
func newParquetReader(r io.Reader, br *bufio.Reader, forced Format) (*Reader, error) {
	ra, size, ok := fileSize(r)
	if !ok {
		data, err := io.ReadAll(br)
		if err != nil {
			return nil, err
		}
		ra, size = bytes.NewReader(data), int64(len(data))
	}
	src, h, err := openParquet(ra, size)
	if err != nil {
		return nil, err
	}
	return newReader(h, src.next, forced)
}

// openParquet opens the file; a corrupt file's panic inside the Parquet
// library becomes an error.
func openParquet(ra io.ReaderAt, size int64) (src *parquetSource, h *header, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet: corrupt file: %v", p)
		}
	}()
	pf, err := parquet.OpenFile(ra, size)
	if err != nil {
		return nil, nil, fmt.Errorf("parquet: %w", err)
	}
	src, h = newParquetSource(pf)
	return src, h, nil
}

type parquetSource struct {
	groups   []parquet.RowGroup
	rows     parquet.Rows
	buf      []parquet.Row
	n, i     int
	rowNum   int
	fieldOf  []int // leaf column → field index, -1 to skip
	conv     []func(parquet.Value) string
	tagKey   int
	tagValue int
	tagField int
	fields   []string
}

func newParquetSource(pf *parquet.File) (*parquetSource, *header) {
	s := &parquetSource{groups: pf.RowGroups(), tagKey: -1, tagValue: -1, tagField: -1, buf: make([]parquet.Row, 256)}
	schema := pf.Schema()
	var names []string
	for i, path := range schema.Columns() {
		s.fieldOf = append(s.fieldOf, -1)
		s.conv = append(s.conv, nil)
		leaf, ok := schema.Lookup(path...)
		if !ok {
			continue
		}
		switch {
		case len(path) == 1:
			s.fieldOf[i] = len(names)
			s.conv[i] = parquetConverter(leaf.Node.Type())
			names = append(names, path[0])
		case strings.EqualFold(path[0], "Tags") && path[len(path)-1] == "key":
			s.tagKey = i
		case strings.EqualFold(path[0], "Tags") && path[len(path)-1] == "value":
			s.tagValue = i
			s.conv[i] = parquetConverter(leaf.Node.Type())
		}
	}
	if s.tagKey >= 0 && s.tagValue >= 0 {
		s.tagField = len(names)
		names = append(names, "Tags")
	}
	s.fields = make([]string, len(names))
	return s, newHeader(names)
}

func (s *parquetSource) next() (line int, fields []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet: corrupt file at row %d: %v", s.rowNum+1, p)
		}
	}()
	for s.i >= s.n {
		if s.rows == nil {
			if len(s.groups) == 0 {
				return 0, nil, io.EOF
			}
			s.rows, s.groups = s.groups[0].Rows(), s.groups[1:]
		}
		n, err := s.rows.ReadRows(s.buf)
		s.n, s.i = n, 0
		if errors.Is(err, io.EOF) {
			_ = s.rows.Close()
			s.rows = nil
		} else if err != nil {
			return 0, nil, fmt.Errorf("parquet: %w", err)
		}
	}
	row := s.buf[s.i]
	s.i++
	s.rowNum++
	for i := range s.fields {
		s.fields[i] = ""
	}
	var keys, values []string
	for _, v := range row {
		c := v.Column()
		switch {
		case c == s.tagKey && !v.IsNull():
			keys = append(keys, string(v.ByteArray()))
		case c == s.tagValue:
			values = append(values, parquetText(v, s.conv[c]))
		case c < len(s.fieldOf) && s.fieldOf[c] >= 0 && !v.IsNull():
			s.fields[s.fieldOf[c]] = s.conv[c](v)
		}
	}
	if s.tagField >= 0 && len(keys) > 0 {
		m := make(map[string]string, len(keys))
		for i, k := range keys {
			if i < len(values) {
				m[k] = values[i]
			}
		}
		b, _ := json.Marshal(m)
		s.fields[s.tagField] = string(b)
	}
	return s.rowNum, s.fields, nil
}

func parquetText(v parquet.Value, conv func(parquet.Value) string) string {
	if v.IsNull() || conv == nil {
		return ""
	}
	return conv(v)
}

// parquetConverter turns a column's values into the text a CSV of the
// same data would hold: decimals exact, timestamps RFC 3339 in UTC.
func parquetConverter(t parquet.Type) func(parquet.Value) string {
	if lt := t.LogicalType(); lt != nil {
		switch x := lt.Value.(type) {
		case *format.DecimalType:
			scale := int(x.Scale)
			return func(v parquet.Value) string { return decimalText(unscaled(v), scale) }
		case *format.TimestampType:
			unit := x.Unit.Value.Duration()
			return func(v parquet.Value) string {
				return time.Unix(0, 0).Add(time.Duration(v.Int64()) * unit).UTC().Format(time.RFC3339Nano)
			}
		case *format.DateType:
			return func(v parquet.Value) string {
				return time.Unix(int64(v.Int32())*86400, 0).UTC().Format("2006-01-02")
			}
		}
	}
	return func(v parquet.Value) string {
		switch v.Kind() {
		case parquet.Boolean:
			return strconv.FormatBool(v.Boolean())
		case parquet.Int32:
			return strconv.FormatInt(int64(v.Int32()), 10)
		case parquet.Int64:
			return strconv.FormatInt(v.Int64(), 10)
		case parquet.Float:
			return strconv.FormatFloat(float64(v.Float()), 'f', -1, 32)
		case parquet.Double:
			return strconv.FormatFloat(v.Double(), 'f', -1, 64)
		case parquet.ByteArray, parquet.FixedLenByteArray:
			return string(v.ByteArray())
		}
		return v.String()
	}
}

// unscaled is a decimal column's integer: INT32, INT64, or big-endian
// two's complement bytes.
func unscaled(v parquet.Value) *big.Int {
	switch v.Kind() {
	case parquet.Int32:
		return big.NewInt(int64(v.Int32()))
	case parquet.Int64:
		return big.NewInt(v.Int64())
	}
	b := v.ByteArray()
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func decimalText(n *big.Int, scale int) string {
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}
