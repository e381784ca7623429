package main

import (
	"flag"
	"fmt"

	"github.com/labstack/echo/v4"
)

func main() {
	port := flag.Int("port", 9090, "port to listen on")
	flag.Parse()
	e := echo.New()
	e.Logger.Fatal(e.Start(fmt.Sprintf(":%d", *port)))
}
