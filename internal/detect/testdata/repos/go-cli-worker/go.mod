module github.com/acme/reaper

go 1.22
