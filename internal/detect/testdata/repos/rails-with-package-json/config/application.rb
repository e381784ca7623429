require_relative "boot"
module Store
  class Application < Rails::Application
  end
end
