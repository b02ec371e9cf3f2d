module github.com/kfk-client/kfk/bindings/go

go 1.21
