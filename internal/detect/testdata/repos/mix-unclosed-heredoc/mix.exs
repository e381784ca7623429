defmodule Chat.MixProject do
  use Mix.Project

  @moduledoc """
  The chat service.

  def project do
    [app: :chat, version: "0.1.0", elixir: "~> 1.16", deps: deps()]
  end

  defp deps do
    [{:phoenix, "~> 1.7.12"}, {:bandit, "~> 1.5"}]
  end
end
