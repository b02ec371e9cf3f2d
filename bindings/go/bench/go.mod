module bench

go 1.21

require github.com/kfk-client/kfk/bindings/go v0.0.0

replace github.com/kfk-client/kfk/bindings/go => ..
