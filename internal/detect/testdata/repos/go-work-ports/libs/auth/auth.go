package auth

func Check(token string) bool { return token != "" }
