(ns todo-api.core
  (:require [ring.adapter.jetty :refer [run-jetty]])
  (:gen-class))

(defn -main [& _]
  (run-jetty (fn [_] {:status 200 :body "ok"}) {:port 3000}))
