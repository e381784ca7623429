package io.example;

import io.javalin.Javalin;

public class App {
    public static void main(String[] args) {
        var app = Javalin.create().get("/health", ctx -> ctx.result("ok")).start(7070);
    }
}
