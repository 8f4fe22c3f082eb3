from lianneng.cli import console_main

console_main()
