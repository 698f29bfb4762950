print("agi-load")
