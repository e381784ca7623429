require 'sidekiq'

class HardJob
  include Sidekiq::Job

  def perform(name)
    puts name
  end
end
