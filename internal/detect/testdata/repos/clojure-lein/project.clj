(defproject com.example/todo-api "0.3.0"
  :description "Todo API"
  :dependencies [[org.clojure/clojure "1.11.3"]
                 [ring/ring-core "1.12.1"]
                 [ring/ring-jetty-adapter "1.12.1"]
                 [compojure "1.7.1"]]
  :main ^:skip-aot todo-api.core
  :profiles {:uberjar {:aot :all}})
