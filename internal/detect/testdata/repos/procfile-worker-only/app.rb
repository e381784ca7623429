require 'sidekiq'
