package main

import (
	"flag"
	"net/http"

	"github.com/acme/loadgen/requester"
)

func main() {
	url := flag.String("url", "", "target")
	flag.Parse()
	req, _ := http.NewRequest("GET", *url, nil)
	w := &requester.Work{Request: req, N: 200}
	w.Run()
}
