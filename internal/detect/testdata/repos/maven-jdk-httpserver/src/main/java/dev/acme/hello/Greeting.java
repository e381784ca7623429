package dev.acme.hello;

final class Greeting {
    static String of(String name) { return "hello " + name; }
}
