module github.com/example/docs

go 1.22

require github.com/google/docsy v0.11.0 // indirect
