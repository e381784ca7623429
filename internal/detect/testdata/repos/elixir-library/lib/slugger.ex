defmodule Slugger do
  def slug(s), do: String.downcase(s)
end
