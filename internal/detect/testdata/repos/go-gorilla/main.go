package main

import (
	"html/template"
	"net/http"

	"github.com/gorilla/mux"
)

var tpl = template.Must(template.ParseGlob("templates/*.html"))

func main() {
	r := mux.NewRouter()
	r.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { tpl.ExecuteTemplate(w, "index.html", nil) })
	http.ListenAndServe(":8000", r)
}
