(ns lib.core)

(defn add [a b] (+ a b))
