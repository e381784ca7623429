module example.com/shop/auth

go 1.22.4
