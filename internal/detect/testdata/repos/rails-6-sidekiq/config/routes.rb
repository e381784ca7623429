Rails.application.routes.draw do
  resources :jobs
end
