package export

func (p *prepared) docs(files map[string][]byte, format string) {}
