const { app } = require("electron");
