import Config
port = String.to_integer(System.get_env("PORT", "4040"))
