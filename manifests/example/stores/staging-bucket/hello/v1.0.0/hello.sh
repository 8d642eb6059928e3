#!/bin/sh
echo "hello from v1.0.0"
