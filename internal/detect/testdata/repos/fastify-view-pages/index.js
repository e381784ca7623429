import Fastify from "fastify";
import view from "@fastify/view";
import ejs from "ejs";

const app = Fastify();
app.register(view, { engine: { ejs } });
app.get("/", (req, reply) => reply.view("templates/index.ejs"));
app.listen({ port: 3000, host: "0.0.0.0" });
