package main

import (
	"log"
	"time"
)

func main() {
	for {
		log.Println("sending digests")
		time.Sleep(time.Hour)
	}
}
