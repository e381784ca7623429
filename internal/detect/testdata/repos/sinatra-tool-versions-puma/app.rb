require "sinatra"

get "/" do
  "ok"
end
