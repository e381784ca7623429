defmodule HelloWeb.Endpoint do
  use Phoenix.Endpoint, otp_app: :hello
end
