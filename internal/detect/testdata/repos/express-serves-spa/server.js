const path = require("path");
const express = require("express");

const app = express();
app.use(express.static(path.join(__dirname, "public")));
app.get("/api/stats", (req, res) => res.json({ ok: true }));
app.listen(process.env.PORT || 8080);
