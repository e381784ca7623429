defmodule Hello.Application do
  use Application
end
