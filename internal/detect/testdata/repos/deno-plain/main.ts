Deno.serve({ port: 8010 }, (_req) => new Response("Hello from Deno"));
