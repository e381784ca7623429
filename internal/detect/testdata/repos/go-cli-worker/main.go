package main

import (
	"log"
	"time"
)

func main() {
	for range time.Tick(time.Minute) {
		log.Println("reaping expired sessions")
	}
}
