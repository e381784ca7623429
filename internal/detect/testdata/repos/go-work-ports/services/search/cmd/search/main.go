package main

import "github.com/labstack/echo/v4"

const addr = ":9090"

func main() {
	e := echo.New()
	e.Logger.Fatal(e.Start(addr))
}
