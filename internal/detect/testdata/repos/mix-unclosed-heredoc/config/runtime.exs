import Config
config :chat, ChatWeb.Endpoint, http: [port: String.to_integer(System.get_env("PORT") || "4000")]
