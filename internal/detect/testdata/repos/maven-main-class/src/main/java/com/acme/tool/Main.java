package com.acme.tool;

import com.google.gson.Gson;

public class Main {
    public static void main(String[] args) throws Exception {
        Gson gson = new Gson();
        while (true) {
            System.out.println(gson.toJson(System.currentTimeMillis()));
            Thread.sleep(60_000);
        }
    }
}
