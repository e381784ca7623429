package com.acme.core;

public record Money(long cents) {}
