package com.acme.sync;

public class Main {
    public static void main(String[] args) {
        System.out.println("sync");
    }
}
