package export

func (p *prepared) terraform(files map[string][]byte) error     { return nil }
func (p *prepared) docs(files map[string][]byte, format string) {}
