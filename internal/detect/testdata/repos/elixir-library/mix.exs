defmodule Slugger.MixProject do
  use Mix.Project

  def project do
    [app: :slugger, version: "0.2.0", elixir: "~> 1.15", deps: []]
  end

  def application do
    [extra_applications: [:logger]]
  end
end
