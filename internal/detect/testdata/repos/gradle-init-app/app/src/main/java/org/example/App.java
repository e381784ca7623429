package org.example;

import io.javalin.Javalin;

public class App {
    public static void main(String[] args) {
        Javalin.create().get("/", ctx -> ctx.result("ok")).start(7070);
    }
}
