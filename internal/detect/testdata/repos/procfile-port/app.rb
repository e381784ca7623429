require 'sinatra'
get('/') { 'ok' }
