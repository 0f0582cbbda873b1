from benchmarks.ageing import main

main()
