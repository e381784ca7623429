require_relative "boot"

require "rails/all"

Bundler.require(*Rails.groups)

module Inventory
  class Application < Rails::Application
    config.load_defaults 7.1
    # Only loads a smaller set of middleware suitable for API only apps.
    config.api_only = true
  end
end
