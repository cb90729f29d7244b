module github.com/gugugo-desktop/gugugo

go 1.26
