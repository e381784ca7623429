package com.acme.tool;

class MainTest {}
