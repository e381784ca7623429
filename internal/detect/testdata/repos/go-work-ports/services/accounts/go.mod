module example.com/shop/accounts

go 1.22.4
