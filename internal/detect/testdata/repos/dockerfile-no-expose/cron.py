print('tick')
