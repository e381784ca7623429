package com.acme;

public class OrdersApplication {
    public static void main(String[] args) {}
}
