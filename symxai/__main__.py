from symxai.entry import main

if __name__ == "__main__":  # worker processes of `symxai serve` import this module too
    main()
