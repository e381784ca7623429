module example.com/shop/search

go 1.22.4

require github.com/labstack/echo/v4 v4.12.0
